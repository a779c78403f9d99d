// How doctor prints its findings: one aligned line per check, or JSON for machines.
import type { Check } from './check';

const STATUS_WIDTH = 9; // "problem" plus two spaces
const ID_WIDTH = 14; // the longest id, "proc-net-tcp", plus two spaces

// One line: status, check name, what was found and, when something is wrong, the fix.
export function formatLine(c: Check): string {
  const fix = c.fix !== undefined ? `; fix: ${c.fix}` : '';
  return `${c.status.padEnd(STATUS_WIDTH)}${c.id.padEnd(ID_WIDTH)}${c.message}${fix}`;
}

// The text report: the lines and a closing count.
export function formatText(checks: Check[]): string {
  const problems = count(checks, 'problem');
  const warnings = count(checks, 'warning');
  const summary = problems + warnings === 0 ? 'all good' : `${plural(problems, 'problem')}, ${plural(warnings, 'warning')}`;
  return `${checks.map(formatLine).join('\n')}\n${summary}\n`;
}

// The JSON report.
export function formatJson(checks: Check[], version: string, target: string | null): string {
  return `${JSON.stringify({ version, target, ok: count(checks, 'problem') === 0, problems: count(checks, 'problem'), warnings: count(checks, 'warning'), checks }, null, 2)}\n`;
}

// 1 when any check found a problem, else 0 (warnings alone do not fail).
export function exitCode(checks: Check[]): number {
  return count(checks, 'problem') > 0 ? 1 : 0;
}

function count(checks: Check[], status: Check['status']): number {
  return checks.filter((c) => c.status === status).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
