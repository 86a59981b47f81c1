import type { TemplateFormat } from '../rendering/template-source';

/** The body format each channel's templates are written in. */
export const CHANNEL_FORMATS: Record<string, TemplateFormat> = { email: 'mjml', letter: 'html', sms: 'text', 'call-list': 'text' };

/** `<service>/<step>`, the name flows use for a template. */
export const templateKey = (service: string, step: string) => `${service}/${step}`;
