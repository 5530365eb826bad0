/** Shared by the server page and the client explorer (a 'use client' module cannot export plain values to the server). */
import type { TraceSummary } from '@/lib/trace/wire';

/** Time range when the URL names none. */
export const DEFAULT_SINCE = '24h';

/** `source` tells whether the error belongs to the where text (and can be underlined there). */
export type ListError = { message: string; column: number; source: 'where' | 'other' };

export type FirstPage = { traces: TraceSummary[]; nextCursor: string | null; error: ListError | null };
