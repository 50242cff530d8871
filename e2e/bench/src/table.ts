// Pure text tables: columns padded to their widest cell, numbers right-aligned.

export type Alignment = 'left' | 'right';

export interface TableSpec {
  headers: readonly string[];
  rows: readonly (readonly string[])[];
  /** Per column; default left for the first column, right for the others. */
  align?: readonly Alignment[];
}

/** The table as lines: header, a rule of dashes, rows. Columns are separated by two spaces. */
export function renderTable(spec: TableSpec): string {
  const columns = spec.headers.length;
  for (const row of spec.rows) {
    if (row.length !== columns) throw new RangeError(`a row has ${row.length} cells, expected ${columns}`);
  }
  const widths = spec.headers.map((header, i) =>
    Math.max(header.length, ...spec.rows.map((row) => (row[i] as string).length)),
  );
  const alignOf = (i: number): Alignment => spec.align?.[i] ?? (i === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] as number;
        return alignOf(i) === 'left' ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(spec.headers), rule, ...spec.rows.map(line)].join('\n');
}
