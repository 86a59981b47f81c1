/** What the dispatch worker asks the rendering module for (RenderingService.render). */
export interface RenderRequest {
  /** `<service>/<step>` */
  template: string;
  channel: string;
  locale: string;
  /** The brand whose theme the message wears; empty: the dealer's first brand. */
  brandId: string;
  dealerId: string;
  /** Merge data from the outbox row (see MergeData); `messageId` or `message.id` turns tracking and unsubscribe links on. */
  data: Record<string, unknown>;
  /** `false`: links and images as the template has them, no open pixel (a dealer looking at a message is not the customer opening it). */
  tracking?: boolean;
}

export interface RenderedMessage {
  subject?: string;
  html?: string;
  text: string;
  headers?: Record<string, string>;
}

export interface MessageRenderer {
  render(request: RenderRequest): Promise<RenderedMessage>;
}

export const MESSAGE_RENDERER = Symbol('MESSAGE_RENDERER');
