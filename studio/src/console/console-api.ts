import type { SettingsProperty } from './settings-form';
import { call, fetchApi, problemOf, session } from '../api';

/** The host's API as the console uses it (README, API overview; CONTRACT.md). */

export type ServiceMode = 'optional' | 'mandatory' | 'unavailable';

export type FlowStep =
  | { id: string; type: 'send'; at: number | { setting: string }; channels: string[] | { setting: string }; template: string; evenIfBooked?: boolean }
  | { id: string; type: 'before-appointment'; days: number | { setting: string }; channels: string[] | { setting: string }; template: string };

export interface CatalogService {
  key: string;
  name: string;
  description: string;
  purpose: 'service' | 'marketing';
  trigger: string;
  channels: string[];
  pricing: Record<string, number>;
  settingsSchema: { type: 'object'; properties: Record<string, SettingsProperty> };
  defaults: Record<string, unknown>;
  flow: FlowStep[];
}

export interface SettingBound {
  minimum?: number;
  maximum?: number;
  allowed?: unknown[];
}

export interface DealerService {
  key: string;
  name: string;
  state: 'on' | 'off' | 'mandatory' | 'unavailable';
  enabled: boolean;
  mode: ServiceMode;
  settings: Record<string, unknown>;
  settingsBounds: Record<string, SettingBound>;
  monthlyBudgetCents: number | null;
  spentThisMonthCents: number;
  subsidyByBrand: Record<string, number>;
}

export interface BrandPolicy {
  serviceKey: string;
  mode: ServiceMode;
  subsidyPercent: number;
  settingsBounds: Record<string, SettingBound>;
}

export interface RunSummary {
  id: string;
  asOf: string;
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  progress: { dealers: number; dealersDone: number };
  occasions: number;
  messages: { total: number; byChannel: Record<string, number> };
  costCents: number;
  held: number;
  skipped: Record<string, number>;
  error?: string;
}

export interface MessageView {
  id: string;
  channel: string;
  status: string;
  serviceKey?: string;
  step?: string;
  customerExternalId?: string;
  vehicleExternalIds: string[];
  subject?: string;
  costCents: number;
  dealerCostCents?: number;
  sandbox: boolean;
  createdAt: string;
  sentAt?: string;
  statusReason?: string;
}

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'opened', 'clicked', 'failed', 'bounced', 'held', 'unknown'];
export const CHANNELS = ['email', 'sms', 'letter', 'call-list'];
export const CALL_OUTCOMES = ['appointment', 'no-answer', 'declined', 'wrong-number'] as const;

export interface CallListEntry {
  entryId: string;
  status: string;
  customerExternalId: string;
  customerName: string;
  phone: string | null;
  vehicles: { externalId: string; licensePlate: string | null; model: string | null; inspectionDueDate: string | null }[];
  reason: string;
  serviceKey: string | null;
  step: string | null;
  dueDate: string | null;
  outcomes: { id: string; outcome: string; appointmentStartsAt?: string; recordedBy: string; at: string }[];
}

export interface LetterBatch {
  id: string;
  date: string;
  fileName: string;
  pages: number;
  letters: number;
  costCents: number;
  createdAt: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: { line: number; element?: number; field: string; message: string }[];
}

export interface ReportFigures {
  sent: number | null;
  delivered: number | null;
  opened: number | null;
  clicked: number | null;
  bounced: number | null;
  failed: number | null;
  appointments: number | null;
  costCents: number | null;
}

export interface ReportRow extends ReportFigures {
  week: string;
  serviceKey: string;
  channel: string;
  /** Brand reports: how many dealers the row is about, and whether its figures are withheld. */
  dealers?: number | null;
  suppressed?: boolean;
}

export interface DealerReport {
  dealerId: string;
  from: string;
  to: string;
  totals: ReportFigures;
  rows: ReportRow[];
  budget: { serviceKey: string; monthlyBudgetCents: number | null; spentCents: number; month: string }[];
}

export interface BrandReport {
  brandId: string;
  from: string;
  to: string;
  dealers: number;
  totals: ReportFigures & { suppressed?: boolean };
  rows: ReportRow[];
}

export interface DealerSummary {
  id: string;
  key: string;
  name: string;
  brandIds: string[];
}

const id = encodeURIComponent;
const query = (params: Record<string, string | undefined>) => {
  const entries = Object.entries(params).filter((e): e is [string, string] => !!e[1]);
  return entries.length ? `?${new URLSearchParams(entries)}` : '';
};

export const consoleApi = {
  catalog: () => call<CatalogService[]>('GET', '/services'),
  dealerServices: (dealerId: string) => call<DealerService[]>('GET', `/dealers/${id(dealerId)}/services`),
  setDealerService: (dealerId: string, key: string, body: { enabled: boolean; monthlyBudgetCents?: number; settings?: Record<string, unknown> }) =>
    call<DealerService>('PUT', `/dealers/${id(dealerId)}/services/${id(key)}`, body),
  brandPolicies: (brandId: string) => call<BrandPolicy[]>('GET', `/brands/${id(brandId)}/services`),
  setBrandPolicy: (brandId: string, key: string, body: { mode: ServiceMode; subsidyPercent?: number; settingsBounds?: Record<string, SettingBound> }) =>
    call<BrandPolicy>('PUT', `/brands/${id(brandId)}/services/${id(key)}`, body),
  startRun: (body: { asOf: string; dealerIds: string[]; dryRun: boolean; wait: boolean }) => call<RunSummary>('POST', '/runs', body),
  run: (runId: string) => call<RunSummary>('GET', `/runs/${id(runId)}`),
  messages: (dealerId: string, filters: { channel?: string; status?: string; serviceKey?: string; page?: string }) =>
    call<{ items: MessageView[]; total: number; page: number; pageSize: number }>('GET', `/dealers/${id(dealerId)}/messages${query({ pageSize: '25', ...filters })}`),
  /** The message as it went out: HTML (email, letter) or text (SMS, call list), and its subject. */
  async messageContent(messageId: string): Promise<{ html?: string; text?: string; subject?: string }> {
    const response = await fetchApi('GET', `/messages/${id(messageId)}/content?tracking=false`, { Accept: 'text/html, text/plain' });
    const body = await response.text();
    const subjectHeader = response.headers.get('X-Message-Subject');
    const subject = subjectHeader ? decodeURIComponent(subjectHeader) : undefined;
    return (response.headers.get('Content-Type') ?? '').startsWith('text/html') ? { html: body, subject } : { text: body, subject };
  },
  callList: (dealerId: string, date: string) =>
    call<{ date: string; items: CallListEntry[]; total: number }>('GET', `/dealers/${id(dealerId)}/call-lists${query({ date, pageSize: '1000' })}`),
  recordOutcome: (dealerId: string, entryId: string, body: { outcome: string; appointmentStartsAt?: string }) =>
    call<unknown>('POST', `/dealers/${id(dealerId)}/call-list-entries/${id(entryId)}/outcome`, body),
  letterBatches: (dealerId: string) => call<{ items: LetterBatch[]; total: number }>('GET', `/dealers/${id(dealerId)}/letter-batches?pageSize=100`),
  letterPdf: async (batchId: string) => (await fetchApi('GET', `/letter-batches/${id(batchId)}/pdf`, { Accept: 'application/pdf' })).blob(),
  dealerReport: (dealerId: string, from?: string, to?: string) => call<DealerReport>('GET', `/dealers/${id(dealerId)}/reports${query({ from, to })}`),
  brandReport: (brandId: string, from?: string, to?: string) => call<BrandReport>('GET', `/brands/${id(brandId)}/reports${query({ from, to })}`),
  /** The same report as CSV, for a download link. */
  reportCsv: async (path: string, from?: string, to?: string) => (await fetchApi('GET', `${path}${query({ from, to, format: 'csv' })}`, { Accept: 'text/csv' })).blob(),
  dealers: () => call<{ items: DealerSummary[] }>('GET', '/dealers?pageSize=1000'),
};

/**
 * Uploads an import file with XMLHttpRequest, the one browser API that reports upload progress;
 * `onProgress` gets the share sent (0..1).
 */
export function uploadImport(dealerId: string, type: string, file: File, onProgress: (share: number) => void): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/dealers/${id(dealerId)}/imports?type=${id(type)}`);
    const token = session.token();
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.setRequestHeader('Accept', 'application/json');
    const json = file.name.toLowerCase().endsWith('.json') || file.type === 'application/json';
    request.setRequestHeader('Content-Type', json ? 'application/json' : 'text/csv; charset=utf-8');
    request.upload.addEventListener('progress', (event) => event.lengthComputable && onProgress(event.loaded / event.total));
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) resolve(JSON.parse(request.responseText) as ImportResult);
      else reject(problemOf(request.status, request.responseText, `upload: ${request.status}`));
    });
    request.addEventListener('error', () => reject(new Error('the upload did not reach the server')));
    request.send(file);
  });
}

/** Euro cents as euros, e.g. 1234 → "€12.34". */
export const euros = (cents: number | null | undefined) => (cents === null || cents === undefined ? '—' : `€${(cents / 100).toFixed(2)}`);

/** Today as YYYY-MM-DD in the browser's time zone. */
export const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** Offers a blob as a file: a link with the download attribute, clicked once, kept for another click. */
export function offerDownload(blob: Blob, fileName: string, label: string): HTMLAnchorElement {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.className = 'download-link';
  link.textContent = label;
  link.click();
  return link;
}
