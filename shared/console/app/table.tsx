import type { ComponentChildren } from "preact";

/** One row: its key and its cells, in the headers' order. */
export interface Row {
  readonly key: string;
  readonly cells: readonly ComponentChildren[];
}

/** A data table: column headers (scoped for screen readers), one row per entry, an optional caption. */
export function Table(props: {
  readonly caption?: string;
  readonly headers: readonly string[];
  readonly rows: readonly Row[];
}) {
  return (
    <table>
      {props.caption !== undefined && <caption>{props.caption}</caption>}
      <thead>
        <tr>
          {props.headers.map((header) => (
            <th key={header} scope="col">
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.key}>
            {row.cells.map((cell, index) => (
              <td key={props.headers[index] ?? index}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A labelled choice among `options` (value and text), with an optional first option for "none". */
export function Choice(props: {
  readonly label: string;
  readonly value: string;
  readonly options: readonly (readonly [value: string, text: string])[];
  readonly onChange: (value: string) => void;
  readonly none?: string;
  readonly disabled?: boolean;
}) {
  return (
    <label>
      {props.label}
      <select
        value={props.value}
        disabled={props.disabled === true}
        onChange={(event) => props.onChange(event.currentTarget.value)}
      >
        {props.none !== undefined && <option value="">{props.none}</option>}
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
