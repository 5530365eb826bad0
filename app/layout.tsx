import type { Metadata } from 'next';
import Link from 'next/link';
import { NuqsAdapter } from 'nuqs/adapters/next/app';
import { type ReactNode, Suspense } from 'react';
import { AuthStatus } from '@/components/auth/auth-status';
import { currentReader } from '@/server/auth/page';
import './globals.css';

export const metadata: Metadata = {
  title: 'Tracedeck',
  description: 'Trace explorer for LLM gateways',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            Tracedeck
          </Link>
          <nav>
            <Link href="/">Traces</Link>
            <Link href="/tenants">Tenants</Link>
            <Link href="/live">Live</Link>
            <Link href="/sessions">Sessions</Link>
            <Link href="/explore">Explore</Link>
          </nav>
          <Suspense>
            <HeaderAuthStatus />
          </Suspense>
        </header>
        <main>
          <NuqsAdapter>{children}</NuqsAdapter>
        </main>
      </body>
    </html>
  );
}

/** Resolves the reader on the server (it reads the request's headers) for the header's status. */
async function HeaderAuthStatus() {
  const { required, principal } = await currentReader();
  return <AuthStatus required={required} reader={principal} />;
}
