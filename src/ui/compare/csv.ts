/** The compare table as CSV, written by d3-dsv (RFC 4180 quoting) from the records core/compare.ts builds. */
import { csvFormat } from 'd3';
import { type CompareRow, type CompareSettings, CSV_COLUMNS, csvRecords } from '../../core/compare';

export function toCsv(rows: readonly CompareRow[], settings: CompareSettings): string {
  return csvFormat(csvRecords(rows, settings), [...CSV_COLUMNS]) + '\n';
}
