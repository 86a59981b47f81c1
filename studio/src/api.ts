/** The host's API as the studio uses it: a bearer token kept for the browser tab, JSON in and out. */

export type Role = 'network-admin' | 'brand-admin' | 'dealer-admin' | 'dealer-user';

export interface User {
  id: string;
  email: string;
  role: Role;
  brandIds?: string[];
  dealerId?: string | null;
}

export type SlotKind = 'text' | 'rich-text' | 'image';

export interface SlotDefinition {
  name: string;
  kind: SlotKind;
  maxLength?: number;
  label?: string;
}

export type TemplateFormat = 'mjml' | 'html' | 'text';

export interface TemplateSummary {
  id: string;
  key: string;
  service: string;
  step: string;
  channel: string;
  locale: string;
  name: string;
  description: string | null;
  format: TemplateFormat;
  publishedVersion: number | null;
  hasUnpublishedChanges: boolean;
  updatedAt: string;
  slots: SlotDefinition[];
}

export interface TemplateContent {
  body: string;
  subject: string | null;
  slots: SlotDefinition[];
}

export interface TemplateDetail extends TemplateSummary {
  draft?: TemplateContent;
  published: (TemplateContent & { version: number; publishedAt: string }) | null;
}

export interface VersionEntry {
  version: number;
  publishedAt: string;
  publishedBy: string | null;
  restoredFrom?: number | null;
}

export interface BrandTheme {
  primaryColor?: string;
  secondaryColor?: string;
  fontFamily?: string;
  logoUrl?: string;
  footerHtml?: string;
}

export interface Brand {
  id: string;
  key: string;
  name: string;
  theme: BrandTheme | null;
}

export interface Sample {
  key: string;
  label: string;
  locale: string;
  fleet: boolean;
}

export interface MergeFieldGroup {
  name: string;
  label: string;
  fields: { path: string; label: string; example?: string }[];
}

export interface Preview {
  subject?: string | null;
  html?: string;
  text?: string;
  /** Letters: the letter on an A4 sheet, the address in the envelope window. */
  page?: string;
}

export interface DealerSlots {
  templateId: string;
  slots: SlotDefinition[];
  values: Record<string, string>;
}

export interface FieldError {
  field: string;
  message: string;
  line?: number;
  tagName?: string;
}

/** A refused request, with the server's problem details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

const TOKEN = 'forecourt.studio.token';
const USER = 'forecourt.studio.user';

export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  user: (): User | null => {
    const raw = sessionStorage.getItem(USER);
    return raw ? (JSON.parse(raw) as User) : null;
  },
  set(token: string, user: User) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(USER, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(USER);
  },
};

/** Called when the server no longer accepts the token (expired, or the user was removed). */
let onUnauthorized: () => void = () => undefined;
export const whenUnauthorized = (handler: () => void) => (onUnauthorized = handler);

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetchApi(method, path, { Accept: 'application/json' }, body);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A request with the session's token; a refusal becomes an ApiError with the server's problem details. */
export async function fetchApi(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Response> {
  const token = session.token();
  const all: Record<string, string> = { ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  if (body !== undefined) all['Content-Type'] = 'application/json';
  const response = await fetch(`/api${path}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    if (response.status === 401 && token) onUnauthorized();
    throw await problemOf(response.status, await response.text(), `${method} ${path}: ${response.status}`);
  }
  return response;
}

/** The error a refused request's body describes (problem details, or whatever text came back). */
export function problemOf(status: number, text: string, fallback: string): ApiError {
  let data: { detail?: unknown; message?: unknown; title?: unknown; errors?: unknown } | undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  const message = data?.detail ?? data?.message ?? data?.title ?? fallback;
  return new ApiError(status, Array.isArray(message) ? message.join('; ') : String(message), Array.isArray(data?.errors) ? (data.errors as FieldError[]) : []);
}

const id = encodeURIComponent;

export const api = {
  login: (email: string, password: string) => call<{ accessToken: string; user: User }>('POST', '/auth/login', { email, password }),
  templates: () => call<{ items: TemplateSummary[] }>('GET', '/templates?pageSize=1000'),
  template: (templateId: string) => call<TemplateDetail>('GET', `/templates/${id(templateId)}`),
  saveTemplate: (templateId: string, content: { body: string; subject?: string | null; slots?: SlotDefinition[] }) =>
    call<TemplateDetail>('PUT', `/templates/${id(templateId)}`, content),
  publish: (templateId: string) => call<{ version: number; publishedAt: string }>('POST', `/templates/${id(templateId)}/publish`),
  versions: (templateId: string) => call<{ items: VersionEntry[] }>('GET', `/templates/${id(templateId)}/versions`),
  rollback: (templateId: string, version: number) => call<{ version: number }>('POST', `/templates/${id(templateId)}/rollback`, { version }),
  preview: (
    templateId: string,
    request: {
      brandId: string;
      dealerId?: string;
      sample?: string;
      body?: string;
      subject?: string;
      slots?: Record<string, string>;
      draft?: boolean;
      theme?: BrandTheme;
    },
  ) => call<Preview>('POST', `/templates/${id(templateId)}/preview`, request),
  samples: () => call<{ items: Sample[] }>('GET', '/templates/samples'),
  mergeFields: () => call<{ groups: MergeFieldGroup[] }>('GET', '/templates/merge-fields'),
  brands: () => call<{ items: Brand[] }>('GET', '/brands?pageSize=1000'),
  updateBrand: (brandId: string, theme: BrandTheme) => call<Brand>('PATCH', `/brands/${id(brandId)}`, { theme }),
  dealer: (dealerId: string) => call<{ id: string; name: string; brandIds: string[]; locale: string }>('GET', `/dealers/${id(dealerId)}`),
  dealerSlots: (dealerId: string, templateId: string) => call<DealerSlots>('GET', `/dealers/${id(dealerId)}/template-slots/${id(templateId)}`),
  saveDealerSlots: (dealerId: string, templateId: string, slots: Record<string, string>) =>
    call<DealerSlots>('PUT', `/dealers/${id(dealerId)}/template-slots/${id(templateId)}`, { slots }),
};

export const isDealer = (user: User) => user.role === 'dealer-admin' || user.role === 'dealer-user';

/** The brands a user works with: a brand admin its own, a dealer those it sells, a network admin all. */
export async function brandsFor(user: User): Promise<Brand[]> {
  const { items } = await api.brands();
  if (user.role === 'brand-admin') return items.filter((b) => user.brandIds?.includes(b.id));
  if (isDealer(user) && user.dealerId) {
    const dealer = await api.dealer(user.dealerId);
    return items.filter((b) => dealer.brandIds.includes(b.id));
  }
  return items;
}
