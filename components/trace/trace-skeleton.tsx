/** Placeholder with the trace page's layout while its spans stream in (same boxes, so nothing jumps). */
import styles from './trace-view.module.css';
import skeleton from './trace-skeleton.module.css';

export function TraceSkeleton() {
  return (
    <div className={styles.page} aria-busy="true" data-testid="trace-skeleton">
      <header className={styles.header}>
        <div className={styles.titleRow}>
          <span className={`${skeleton.block} ${skeleton.back}`} />
          <span className={`${skeleton.block} ${skeleton.title}`} />
        </div>
        <div className={`${skeleton.block} ${skeleton.meta}`} />
      </header>
      <div className={styles.toolbar}>
        <span className={`${skeleton.block} ${skeleton.toolbar}`} />
      </div>
      <div className={styles.body}>
        <div className={`${skeleton.box} ${skeleton.loading}`}>Loading spans…</div>
        <div className={skeleton.box} />
      </div>
    </div>
  );
}
