import { FieldError } from '../../common/problem';

/** Where a row sits in an import file: its physical line and, for JSON, its element of the array (both 1-based). */
export interface Position {
  line: number;
  element?: number;
}

/**
 * What a file parser hands on, one per row: the record as read, or the reason the row (or a
 * damaged part of the file) cannot be imported. Each item counts as one row; an empty `errors`
 * means the reason was already given (every row after an unusable CSV header).
 */
export type SourceItem = { at: Position; record: Record<string, unknown> } | { at: Position; errors: FieldError[] };

/** Errors about the file's structure rather than a value name this field. */
export const FILE_FIELD = 'file';

export function describePosition(at: Position): string {
  return at.element ? `element ${at.element} (line ${at.line})` : `line ${at.line}`;
}

/** Throws a RangeError for a charset the platform cannot decode. */
export function assertEncoding(encoding: string): void {
  new TextDecoder(encoding);
}

/**
 * Bytes to text, chunk by chunk. The decoder keeps a character split across chunks for the next
 * one and drops a UTF-8 byte order mark; bytes that are not valid text become U+FFFD, so a binary
 * file yields rows that fail validation instead of an exception.
 */
export async function* decodeText(input: AsyncIterable<Buffer | string>, encoding = 'utf-8'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of input) {
    const text = decoder.decode(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
