import { bounded, type Figure } from './report.ts';

export interface Budget {
  /** Upper bound on the figure's ratio (or its value when it has no floor). */
  max: number;
  why: string;
}

interface BudgetVerdict {
  id: string;
  /** The bounded figure, `undefined` when latest.json lacks it. */
  actual?: number;
  shown: string;
  budget: Budget;
  ok: boolean;
}

/**
 * Holds each budget against the figure of the same id. A figure missing from the results
 * breaks its budget: a part that silently stopped running must not pass.
 */
export function checkBudgets(figures: readonly Figure[], budgets: Readonly<Record<string, Budget>>): BudgetVerdict[] {
  return Object.entries(budgets).map(([id, budget]) => {
    const figure = figures.find((f) => f.id === id);
    if (!figure) return { id, shown: 'missing', budget, ok: false };
    const actual = bounded(figure);
    const shown = figure.ratio === undefined ? `${actual} ${figure.unit}`.trim() : `${actual}×`;
    return { id, actual, shown, budget, ok: actual <= budget.max };
  });
}
