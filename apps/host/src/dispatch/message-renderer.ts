/** What the dispatch worker asks the rendering module for (RenderingService.render). */
export interface RenderRequest {
  template: string;
  channel: string;
  locale: string;
  brandId: string;
  dealerId: string;
  data: Record<string, unknown>;
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
