import { FILE_FIELD, Position, SourceItem } from './import-source';

/** A larger element is refused without being kept, so one runaway value cannot fill memory. */
export const MAX_ELEMENT_CHARS = 1_000_000;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === NEWLINE;

type State = 'before-array' | 'before-element' | 'element' | 'after-array' | 'broken';

/**
 * The elements of a JSON array, one at a time, each with the line it starts on and its index.
 * The file is cut into elements by tracking brackets and strings, and each element is then read
 * with JSON.parse: a broken element is reported and the next one read, and a file cut off
 * mid-way keeps everything before the damage. (stream-json, the library for this, ships only as
 * ES modules, which the CommonJS build and the test runner cannot load.)
 */
export async function* jsonRows(text: AsyncIterable<string>): AsyncGenerator<SourceItem> {
  let state: State = 'before-array';
  let line = 1;
  let elements = 0;
  let start: Position = { line: 1 };
  let parts: string[] = [];
  let size = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;

  const fileError = (message: string, at: Position = { line }): SourceItem => ({ at, errors: [{ field: FILE_FIELD, message }] });
  const finish = (tail: string): SourceItem => {
    if (size + tail.length > MAX_ELEMENT_CHARS) return fileError(`is longer than ${MAX_ELEMENT_CHARS} characters`, start);
    let value: unknown;
    try {
      value = JSON.parse(parts.join('') + tail);
    } catch (error) {
      return fileError(`is not valid JSON (${(error as Error).message.slice(0, 200)})`, start);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return fileError('must be a JSON object', start);
    return { at: start, record: value as Record<string, unknown> };
  };

  for await (const chunk of text) {
    if (state === 'broken') continue;
    const items: SourceItem[] = [];
    let from = 0;
    for (let i = 0; i < chunk.length && state !== 'broken'; i++) {
      const c = chunk.charCodeAt(i);
      if (state !== 'element') {
        if (c === NEWLINE) line++;
        if (isSpace(c)) continue;
        if (state === 'before-array') {
          if (c === OPEN_BRACKET) state = 'before-element';
          else {
            items.push(fileError('must be a JSON array of objects: [{...}, {...}]'));
            state = 'broken';
          }
        } else if (state === 'after-array') {
          items.push(fileError('has more after the closing ] of the array'));
          state = 'broken';
        } else if (c === CLOSE_BRACKET) {
          state = 'after-array';
        } else if (c === COMMA) {
          items.push(fileError('has two commas in a row: an element is missing'));
        } else {
          state = 'element';
          start = { line, element: ++elements };
          parts = [];
          size = 0;
          depth = 0;
          from = i;
        }
        if (state !== 'element') continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) {
        inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || (c === CLOSE_BRACKET && depth > 0)) {
        depth--;
      } else if (depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
        items.push(finish(chunk.slice(from, i)));
        state = c === COMMA ? 'before-element' : 'after-array';
      }
      if (c === NEWLINE) line++;
    }
    if (state === 'element') {
      const rest = chunk.slice(from);
      size += rest.length;
      // Past the limit the element is only measured, not kept; finish() reports it.
      if (size <= MAX_ELEMENT_CHARS) parts.push(rest);
      else parts = [];
    }
    yield* items;
  }

  if (state === 'before-array') yield fileError('is empty: expected a JSON array of objects');
  else if (state === 'before-element') yield fileError('ends before the closing ] of the array: it may be cut off');
  else if (state === 'element') {
    if (depth === 0 && !inString) {
      // The last element is whole (its closing brace was read); only the array's end is missing.
      yield finish('');
      yield fileError('ends before the closing ] of the array: it may be cut off');
    } else {
      yield fileError('is cut off inside this element: the file ends before it is complete', start);
    }
  }
}
