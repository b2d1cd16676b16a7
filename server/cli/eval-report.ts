// Formats evaluation figures as plain-text tables for the terminal.

import type { EvalReport, RankingFigures } from '../core/evaluation.ts';

const pct = (value: number | null): string => (value === null || Number.isNaN(value) ? '   –  ' : `${(100 * value).toFixed(1).padStart(5)}%`);

function rankingRow(label: string, figures: RankingFigures, ks: readonly number[]): string {
  const recalls = ks.map((k) => pct(figures.recall[k] ?? 0).padStart(8)).join('');
  return `  ${label.padEnd(14)}${String(figures.questions).padStart(4)}${recalls}${figures.mrr.toFixed(3).padStart(8)}`;
}

/** Renders one mode's report. */
export function formatEvalReport(mode: string, report: EvalReport, options: { ks: readonly number[] }): string {
  const { ks } = options;
  const lines = [
    `mode: ${mode}`,
    `  ${'kind'.padEnd(14)}${'n'.padStart(4)}${ks.map((k) => `R@${k}`.padStart(8)).join('')}${'MRR'.padStart(8)}`,
    ...Object.entries(report.byKind).map(([kind, figures]) => rankingRow(kind, figures, ks)),
    rankingRow('all answerable', report.overall, ks),
    `  no-answer: precision ${pct(report.noAnswer.precision)}, recall ${pct(report.noAnswer.recall)} ` +
      `(${report.noAnswer.unanswerable} unanswerable; ${report.noAnswer.wronglyRefused} answerable wrongly refused)`,
    `  highlight holds the quote: ${pct(report.highlightAccuracy)}`,
    `  time per question: median ${report.latencyMs.median.toFixed(2)} ms, p95 ${report.latencyMs.p95.toFixed(2)} ms`,
  ];
  if (report.misses.length > 0) {
    lines.push('  misses:');
    for (const miss of report.misses) {
      if (!miss.answerable) {
        lines.push(`    ${miss.id} (${miss.kind}): answered, though nothing in the corpus answers it`);
        continue;
      }
      const where = miss.rankBeforeCutoff === null ? 'not ranked' : `ranked ${miss.rankBeforeCutoff}`;
      lines.push(`    ${miss.id} (${miss.kind}): ${miss.refused ? 'refused' : 'not in the answer'}; right passage ${where}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
