import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyMethod, describeMethod } from '@wslbench/core';

/**
 * The parts of the docs that list methods are generated from the descriptors (id, title, group, family, summary,
 * citation, reference options), between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers, so that
 * adding a method updates them (`wslbench docs`; registry.test.ts fails when they are stale).
 */

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The methods table of docs/methods.md, in registry order. */
export function methodsTable(methods: readonly AnyMethod[]): string {
  const lines = [
    '| id | method | group | family | trained | map at test | reference-code options |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const m of methods) {
    const info = describeMethod(m);
    const options = Object.keys(m.referenceOptions ?? {});
    lines.push(
      `| \`${m.id}\` | ${cell(m.title)} | ${info.group === 'fully-supervised' ? 'fully' : 'weakly'} | ${m.family} | ` +
        `${cell(m.summary?.trained ?? '—')} | ${cell(m.summary?.map ?? '—')} | ` +
        `${options.length ? options.map((o) => `\`${o}\``).join(', ') : '—'} |`,
    );
  }
  return lines.join('\n');
}

/** Each method's paper (and its row in the NEGEV paper's tables) and what each reference-code option does. */
export function methodReferences(methods: readonly AnyMethod[]): string {
  const out: string[] = [];
  for (const m of methods) {
    const row = m.paperKey ? ` Paper table row: "${m.paperKey}".` : ' Not in the paper.';
    out.push(`- \`${m.id}\` (${m.title}): ${m.citation}${row}`);
    for (const [option, what] of Object.entries(m.referenceOptions ?? {}))
      out.push(`  - \`${option}\`: ${(what as string).replace(/\s+/g, ' ')}`);
  }
  return out.join('\n');
}

/** README's sentence on what the benchmark covers (method counts and names). */
export function methodsSentence(methods: readonly AnyMethod[]): string {
  const weakly = methods.filter((m) => describeMethod(m).group === 'weakly-supervised');
  const fully = methods.filter((m) => describeMethod(m).group === 'fully-supervised');
  const names = (ms: readonly AnyMethod[]) => ms.map((m) => m.title).join(', ');
  return (
    `${methods.length} methods: ${weakly.length} weakly-supervised localization (WSL) methods — ${names(weakly)} —` +
    ` and ${fully.length} fully supervised upper bound${fully.length === 1 ? '' : 's'} (${names(fully)})`
  );
}

/** README's benchmark grid line: methods x backbones x datasets. */
export function cellsLine(methods: readonly AnyMethod[]): string {
  return `${methods.length} methods x 3 backbones x 2 datasets = ${methods.length * 6}`;
}

interface Section {
  file: string;
  name: string;
  text: (methods: readonly AnyMethod[]) => string;
}

const SECTIONS: readonly Section[] = [
  { file: 'docs/methods.md', name: 'methods-table', text: methodsTable },
  { file: 'docs/methods.md', name: 'method-references', text: methodReferences },
  { file: 'README.md', name: 'methods-sentence', text: methodsSentence },
  { file: 'README.md', name: 'cells', text: cellsLine },
];

/** `text` with the generated section NAME replaced; an error naming the file when a marker is missing. */
export function replaceSection(text: string, file: string, name: string, content: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const i = text.indexOf(open);
  const j = text.indexOf(close);
  if (i < 0 || j < i) throw new Error(`${file}: missing the markers ${open} ... ${close}`);
  const block = content.includes('\n') ? `\n${content}\n` : content;
  return text.slice(0, i + open.length) + block + text.slice(j);
}

/**
 * Brings the generated sections of the repository at `root` in line with `methods`; returns the files that were
 * (with `write: false`: that would be) changed.
 */
export function syncGeneratedDocs(
  root: string,
  methods: readonly AnyMethod[],
  { write }: { write: boolean },
): string[] {
  const changed: string[] = [];
  for (const file of [...new Set(SECTIONS.map((s) => s.file))]) {
    const path = join(root, file);
    if (!existsSync(path)) throw new Error(`${path}: not found (generated method docs live there)`);
    const before = readFileSync(path, 'utf8');
    let after = before;
    for (const s of SECTIONS.filter((x) => x.file === file))
      after = replaceSection(after, file, s.name, s.text(methods));
    if (after !== before) {
      changed.push(file);
      if (write) writeFileSync(path, after);
    }
  }
  return changed;
}
