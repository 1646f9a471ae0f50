/**
 * Version of the answer reader: everything that turns a model's reply into a record's prediction or
 * description text (parse-answer, lexicon, json-answer, reasoning, read-description, the built-in
 * synonyms). Bump it when the same reply would read differently.
 *
 * It is deliberately not part of any cache key, so a better reader never re-spends calls that were
 * already answered: cached records keep the reading they were stored with. Instead it is written to
 * manifest.json (`answerReader`) and into every classify and describe record (`readerVersion`; absent
 * in records cached before version 2), so a reader change is visible. See docs/answer-reading.md.
 */
export const ANSWER_READER_VERSION = '3';
