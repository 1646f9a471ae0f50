/**
 * Word tokens for static word vectors: lowercased runs of letters and digits, keeping inner
 * apostrophes and hyphens ("don't", "well-being") so that vocabularies holding such forms match.
 * Punctuation is dropped: GloVe-style vocabularies have it, but it says nothing about a text's meaning.
 */
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export function wordTokens(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((token) => token.replaceAll('’', "'"));
}

/** The parts of a compound token ("well-being" → ["well", "being"]), for a fallback when the whole is unknown. */
export function compoundParts(token: string): string[] {
  return token.split(/['-]/).filter((part) => part.length > 0);
}
