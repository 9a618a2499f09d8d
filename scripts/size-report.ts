/**
 * `npx tsx scripts/size-report.ts [paths…]`: lists files over 400 lines and functions over 80 lines,
 * longest first. The limits themselves are enforced by ESLint (`max-lines`, `max-lines-per-function`
 * in eslint.config.js). A file's length is every line of it, as a reader scrolls it (tests are
 * linted on code lines only, and are shown here on every line all the same); a function's length
 * is its lines of code (not blank, not only a comment), counted with the TypeScript scanner, which
 * may count a few more than ESLint. Tests' describe/it callbacks are included: the whole picture.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;
const DEFAULT_ROOTS = [
  'gateway',
  'rules',
  'models',
  'simulators',
  'field',
  'scripts',
  'dashboards/src',
  'test',
];

interface Finding {
  where: string;
  lines: number;
}

function listTsFiles(root: string): string[] {
  if (statSync(root).isFile()) return root.endsWith('.ts') ? [root] : [];
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    return listTsFiles(path.join(root, entry.name));
  });
}

/** Line numbers (0-based) that hold code: not blank, not only a comment. */
function codeLines(source: ts.SourceFile): Set<number> {
  const lines = new Set<number>();
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, source.languageVariant, source.text);
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (
      kind === ts.SyntaxKind.SingleLineCommentTrivia ||
      kind === ts.SyntaxKind.MultiLineCommentTrivia ||
      kind === ts.SyntaxKind.NewLineTrivia ||
      kind === ts.SyntaxKind.WhitespaceTrivia
    ) {
      continue;
    }
    const first = source.getLineAndCharacterOfPosition(scanner.getTokenPos()).line;
    const last = source.getLineAndCharacterOfPosition(scanner.getTextPos()).line;
    for (let line = first; line <= last; line++) lines.add(line);
  }
  return lines;
}

function countBetween(lines: Set<number>, first: number, last: number): number {
  let count = 0;
  for (let line = first; line <= last; line++) if (lines.has(line)) count++;
  return count;
}

function functionName(node: ts.SignatureDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (ts.isCallExpression(parent)) return `${parent.expression.getText().slice(0, 40)}(…) callback`;
  return '(anonymous)';
}

function reportFile(file: string, files: Finding[], functions: Finding[]): void {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const fileLines = source.getLineStarts().length - (source.text.endsWith('\n') ? 1 : 0);
  if (fileLines > MAX_FILE_LINES) files.push({ where: file, lines: fileLines });
  const lines = codeLines(source);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const length = countBetween(lines, first, last);
      if (length > MAX_FUNCTION_LINES) {
        functions.push({ where: `${file}:${first + 1} ${functionName(node)}`, lines: length });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

const roots = process.argv.slice(2);
const files: Finding[] = [];
const functions: Finding[] = [];
for (const root of roots.length > 0 ? roots : DEFAULT_ROOTS) {
  for (const file of listTsFiles(root)) reportFile(file, files, functions);
}
const print = (title: string, findings: Finding[]): void => {
  console.log(`${title}: ${findings.length}`);
  for (const f of findings.sort((a, b) => b.lines - a.lines))
    console.log(`  ${String(f.lines).padStart(4)}  ${f.where}`);
};
print(`files over ${MAX_FILE_LINES} lines`, files);
print(`functions over ${MAX_FUNCTION_LINES} code lines`, functions);
