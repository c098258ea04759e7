/**
 * Makes user-controlled text (job names, params, counter names, error messages) safe to
 * print on a terminal: control characters, including the escape that starts ANSI
 * sequences, are shown as `\xNN` instead of being interpreted. Tabs stay (they separate
 * columns), newlines too when `keepNewlines` is set (stack traces).
 */
export function terminalSafe(text: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\t' || (keepNewlines && c === '\n')) return c;
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
