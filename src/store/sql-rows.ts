/**
 * Column descriptions for multi-row writes: every batch of rows goes to PostgreSQL with one array
 * parameter per column (`INSERT … SELECT * FROM unnest($1::text[], …)`), so a transaction bundle
 * of hundreds of resources costs one statement, all with bound parameters.
 */

/** A column: its name and SQL array element type. */
export interface Column {
  name: string;
  type: 'text' | 'int' | 'bool' | 'timestamptz' | 'float8';
}
