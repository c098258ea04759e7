import * as path from 'node:path';
import { Prng } from '../prng.js';
import { BufferedFileWriter } from './buffered-file-writer.js';
import { cachedDataset } from './dataset-cache.js';
import type { Dataset } from './dataset-cache.js';
import { NaturalVocabulary } from './natural-vocabulary.js';
import { ZipfRanks } from './zipf-ranks.js';

/** How a natural-text data set is made; the same recipe always gives the same bytes. */
export interface NaturalTextRecipe {
  /** The corpus is cut after the paragraph that reaches this many bytes. */
  readonly totalBytes: number;
  /** Files it is cut into, at paragraph ends, of about equal size. */
  readonly files: number;
  readonly seed: number;
}

/**
 * Distinct lower-case words of the corpus. With their capitalised and punctuated forms,
 * names and numbers, 25 MB holds about 95,000 distinct tokens (the keys a word count
 * emits), 49 MB 120,000 and 100 MB 153,000: about the 50k-100k (50,000 words
 * gave 318,000 tokens in 100 MB).
 */
const VOCABULARY = 15_000;
/** Zipf exponent of the corpus-wide draw: about English's. */
const EXPONENT = 1.05;
/** Words of a document's own topic, drawn from below the most frequent ranks. */
const TOPIC_WORDS = 120;
const TOPIC_NAMES = 6;
const FIRST_TOPIC_RANK = 800;

/** One document's state: its topical words and names, and its remaining length. */
interface Topic {
  readonly words: readonly string[];
  readonly names: readonly string[];
  readonly ranks: ZipfRanks;
}

/**
 * Text that looks like a corpus of English documents to a word count: documents of
 * 1,500-5,000 words, each with a title, paragraphs of 1-8 sentences wrapped at widths
 * of 40-100 characters (some unwrapped: one long line), an empty line between paragraphs
 * and more between documents; sentences capitalised and ended by `.`, `?` or `!`, commas
 * and other punctuation attached to words, quotes, dashes, numbers and proper names; word
 * frequencies Zipf-distributed corpus-wide with a long tail, plus each document's own
 * topical vocabulary (a few hundred rarer words that are frequent inside it). Tokens are
 * separated by single spaces and no line ends in a space, so the Python baseline's
 * `line.split(" ")` finds the same tokens as a whitespace split (empty lines aside).
 *
 * The text is a stream of paragraphs cut into files at paragraph ends, so the same seed and
 * total give the same text however many files it is cut into.
 */
export function naturalText(dir: string, recipe: NaturalTextRecipe): Dataset {
  return cachedDataset(dir, { kind: 'natural-text', version: 2, ...recipe }, (out) => {
    const vocab = new NaturalVocabulary(VOCABULARY, recipe.seed).words;
    const global = new ZipfRanks(VOCABULARY, EXPONENT);
    const rng = new Prng(recipe.seed ^ 0x2545f491);
    const perFile = recipe.totalBytes / recipe.files;
    const names: string[] = [];
    let writer: BufferedFileWriter | undefined;
    let written = 0;
    const paragraphs = new ParagraphSource(vocab, global, rng);
    while (written < recipe.totalBytes) {
      if (!writer || (written >= perFile * names.length && names.length < recipe.files)) {
        writer?.close();
        const name = `natural-${String(names.length).padStart(4, '0')}.txt`;
        writer = new BufferedFileWriter(path.join(out, name), 1 << 20);
        names.push(name);
      }
      const bytes = Buffer.from(paragraphs.next(), 'latin1');
      writer.write(bytes);
      written += bytes.length;
    }
    writer?.close();
    return names;
  });
}

/** Paragraphs of documents, one after another, each with its line breaks and the empty lines after it. */
class ParagraphSource {
  private topic: Topic | undefined;
  private wordsLeft = 0;

  constructor(
    private readonly vocab: readonly string[],
    private readonly global: ZipfRanks,
    private readonly rng: Prng,
  ) {}

  next(): string {
    let head = '';
    if (this.wordsLeft <= 0 || !this.topic) {
      this.topic = this.newTopic();
      this.wordsLeft = 1500 + this.rng.below(3500);
      const title: string[] = [];
      for (let i = 1 + this.rng.below(6); i > 0; i--) title.push(capitalise(this.word(this.topic)));
      head = `${title.join(' ')}\n\n`;
    }
    const sentences: string[] = [];
    for (let s = 1 + this.rng.below(8); s > 0; s--) sentences.push(this.sentence(this.topic));
    const text = sentences.join(' ');
    this.wordsLeft -= text.length / 6;
    const gap = this.wordsLeft <= 0 ? '\n\n\n\n' : this.rng.below(5) === 0 ? '\n\n\n' : '\n\n';
    return head + this.wrap(text) + gap;
  }

  private newTopic(): Topic {
    const words: string[] = [];
    for (let i = 0; i < TOPIC_WORDS; i++)
      words.push(this.vocab[FIRST_TOPIC_RANK + this.rng.below(this.vocab.length - FIRST_TOPIC_RANK)] as string);
    const names: string[] = [];
    for (let i = 0; i < TOPIC_NAMES; i++)
      names.push(
        capitalise(this.vocab[FIRST_TOPIC_RANK + this.rng.below(this.vocab.length - FIRST_TOPIC_RANK)] as string),
      );
    return { words, names, ranks: new ZipfRanks(TOPIC_WORDS, 1) };
  }

  /** A lower-case word: mostly corpus-wide, about one in twelve from the document's topic. */
  private word(topic: Topic): string {
    if (this.rng.below(12) === 0) return topic.words[topic.ranks.rank(this.rng.next())] as string;
    return this.vocab[this.global.rank(this.rng.next())] as string;
  }

  private token(topic: Topic): string {
    const r = this.rng.below(1000);
    if (r < 12) return topic.names[this.rng.below(topic.names.length)] as string;
    if (r < 16) return String(this.rng.below(4) === 0 ? 1700 + this.rng.below(330) : this.rng.below(100));
    if (r < 19) return '--';
    return this.word(topic);
  }

  private sentence(topic: Topic): string {
    const n = 3 + this.rng.below(12) + this.rng.below(12) + this.rng.below(10);
    const tokens: string[] = [];
    for (let i = 0; i < n; i++) {
      let t = this.token(topic);
      if (i === 0) t = capitalise(t);
      if (i < n - 1 && t !== '--') {
        const p = this.rng.below(1000);
        if (p < 60) t += ',';
        else if (p < 63) t += ';';
        else if (p < 66) t += ':';
        else if (p < 69) t = `(${t})`;
      }
      tokens.push(t);
    }
    const end = this.rng.below(100);
    let s = tokens.join(' ') + (end < 86 ? '.' : end < 94 ? '?' : '!');
    if (this.rng.below(20) === 0) s = `"${s}"`;
    return s;
  }

  /** Breaks a paragraph into lines of at most a width drawn for it, or leaves it one line. */
  private wrap(text: string): string {
    if (this.rng.below(8) === 0) return `${text}\n`;
    const width = 40 + this.rng.below(60);
    let out = '';
    let line = 0;
    let from = 0;
    while (from < text.length) {
      let to = text.indexOf(' ', from);
      if (to < 0) to = text.length;
      const word = text.slice(from, to);
      if (line > 0 && line + 1 + word.length > width) {
        out += '\n';
        line = 0;
      } else if (line > 0) {
        out += ' ';
        line++;
      }
      out += word;
      line += word.length;
      from = to + 1;
    }
    return `${out}\n`;
  }
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
