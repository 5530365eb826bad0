/** The first filter bar: a `where` box and a time range, submitted as plain GET so the URL carries the state. */
export const SINCE_CHOICES = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;

export function TraceFilterForm({ where, since, error }: { where: string; since: string; error?: { message: string; column: number } | null }) {
  return (
    <>
      <form className="filter-bar" method="get" action="/">
        <input name="where" defaultValue={where} placeholder="where: tenant.id=acme AND http.status_code>=500" aria-label="where filter" spellCheck={false} />
        <select name="since" defaultValue={since} aria-label="time range">
          {SINCE_CHOICES.map((s) => (
            <option key={s} value={s}>
              last {s}
            </option>
          ))}
        </select>
        <button type="submit">Search</button>
      </form>
      {error ? (
        <div className="filter-error" role="alert">
          {`${where}\n${' '.repeat(Math.max(0, error.column - 1))}^ ${error.message}`}
        </div>
      ) : null}
    </>
  );
}
