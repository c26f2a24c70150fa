/**
 * Guessing the template of a prompt selected in an editor, so that it can be parsed back into a
 * spec (parsePrompt) without asking. A few-shot prompt ends with its query's label prefix
 * ("label:", "Sentiment:", "great =>"), and each demonstration repeats it with a label after it:
 * the guesses are the templates those lines imply, most specific first, and the caller keeps the
 * first that parses the whole selection. Pure: no editor, no files.
 */

/** The text up to and including the first colon of a line ("Review:"), or null. */
function colonPrefix(line: string): string | null {
  const m = /^([^:\n]{1,60}:)/.exec(line);
  return m ? m[1] : null;
}

/** A separator that ends a one-line query ("great =>", "great ->", "great |"), with the space before it. */
const ONE_LINE_SEPARATOR = /(\s*(?:=>|->|→|\|))\s*$/;

/** Candidate templates for `text`, most specific first (none when it shows no label prefix). */
export function templateCandidates(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n');
  const last = lines[lines.length - 1];
  const out: string[] = [];
  // Two lines per demonstration: "<input prefix> {input}" then "<label prefix> {label}"; the query
  // ends at its label prefix, or (a complete demonstration selected) has a label after it.
  const labelPrefix = /:\s*$/.test(last) ? last.trim() : colonPrefix(last);
  if (labelPrefix) {
    const firstLabelLine = lines.findIndex((l) => l.startsWith(labelPrefix));
    const inputLine = firstLabelLine > 0 ? lines[firstLabelLine - 1] : undefined;
    const inputPrefix = inputLine === undefined ? null : colonPrefix(inputLine);
    const blankBetween = lines.some((l, i) => i > 0 && l.trim() === '' && lines[i - 1].startsWith(labelPrefix));
    const ends = blankBetween ? ['\n\n', '\n'] : ['\n', '\n\n'];
    for (const end of ends) {
      if (inputPrefix && inputPrefix !== labelPrefix) out.push(`${inputPrefix} {input}\n${labelPrefix} {label}${end}`);
      out.push(`{input}\n${labelPrefix} {label}${end}`);
    }
  }
  // One line per demonstration: "{input} => {label}".
  const separator = ONE_LINE_SEPARATOR.exec(last)?.[1];
  if (separator) out.push(`{input}${separator} {label}\n`);
  return [...new Set(out)];
}

/** A template as one line for an input box: newlines and tabs as \n and \t (backslashes doubled). */
export function escapeTemplate(template: string): string {
  return template.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** The inverse of escapeTemplate. */
export function unescapeTemplate(text: string): string {
  return text.replace(/\\(\\|n|t)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}
