// What the contact import's answer means for the person who sent the file:
// each rejected row with its line of the file and, per column, what is wrong.

import { fieldErrorText } from '../lib/errorCodes.js';

/** The columns a contacts file may have, in the order the help text names them. */
export const importColumns = ['name', 'email', 'region', 'title', 'institution', 'country', 'language', 'tags'];

/**
 * The lines of a CSV file as a person sees them in an editor (1-based
 * through the array index + 1), without a byte-order mark.
 * @param {string} text
 */
export function fileLines(text) {
  return String(text ?? '').replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
}

/**
 * One problem in words: a known server message becomes a message key of
 * ours (with its values); anything else is shown as the server said it.
 * @param {string} field
 * @param {string} message
 * @returns {{key: string, vars?: Record<string, string>} | {text: string}}
 */
export function explainProblem(field, message, coded) {
  const m = String(message ?? '');
  if (coded?.code === 'duplicate_line') return { key: 'import.problem.duplicate', vars: { line: String(coded.line) } };
  if (coded?.code === 'required') return { key: 'import.problem.required' };
  if (field === 'row') return { key: 'import.problem.csv' };
  if (['email', 'region', 'country', 'language', 'tags'].includes(field)) return { key: `import.problem.${field}` };
  return { text: fieldErrorText(m, coded) };
}

/**
 * The rejected rows of an import answer, by line, each with the row's text
 * from the file (when the line exists) and its problems.
 * @param {{errors?: {line: number, fields: Record<string, string>}[]}} result
 * @param {string} [text] the file that was sent
 */
export function importErrorRows(result, text = '') {
  const lines = fileLines(text);
  return [...(result?.errors ?? [])]
    .sort((a, b) => a.line - b.line)
    .map((e) => ({
      line: e.line,
      raw: e.line >= 1 && e.line <= lines.length ? lines[e.line - 1] : '',
      problems: Object.entries(e.fields ?? {})
        .sort(([a], [b]) => columnOrder(a) - columnOrder(b))
        .map(([field, message]) => ({ field, ...explainProblem(field, message, e.codes?.[field]) })),
    }));
}

function columnOrder(field) {
  const i = importColumns.indexOf(field);
  return i < 0 ? importColumns.length : i;
}
