// Prettier settings chosen to match the code as it was written (single quotes, semicolons, 2 spaces,
// trailing commas, `(x) =>`, double quotes in JSX), so the first whole-tree format changes as little as possible.
// printWidth measured on the tree as it was when this file came, with `prettier --list-different .`: 120 → 223 files (7.7k lines
// changed), 140 → 177 (5.0k), 160 → 144 (3.6k).
/** @type {import('prettier').Config} */
export default {
  singleQuote: true,
  semi: true,
  tabWidth: 2,
  trailingComma: 'all',
  printWidth: 160,
};
