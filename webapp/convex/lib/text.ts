import { invalidArgument } from "./errors";

export const KIB = 1024;
export const MAX_MESSAGE_CONTENT_BYTES = 256 * KIB;

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

/** A short user-given text (a name, label, hostname): trimmed, non-empty, bounded. */
export function requiredText(field: string, value: string, maxLength: number): string {
  const trimmed = value.trim();
  if (trimmed === "") {
    invalidArgument(`${field} must not be empty`);
  }
  if (trimmed.length > maxLength) {
    invalidArgument(`${field} must be at most ${maxLength} characters`);
  }
  return trimmed;
}

/** A bounded text that may be empty (reported by the worker). */
export function boundedText(field: string, value: string, maxLength: number): string {
  if (value.length > maxLength) {
    invalidArgument(`${field} must be at most ${maxLength} characters`);
  }
  return value;
}

/** Keeps at most `maxLength` characters, never cutting a surrogate pair in two. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  let end = maxLength;
  if (isHighSurrogate(text.charCodeAt(end - 1))) {
    end--;
  }
  return text.slice(0, end);
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
