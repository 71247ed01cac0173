import pg from 'pg';

let counter = 0;

/** Creates a fresh database on a shared server (from globalSetup) and returns its URL. */
export async function createDatabase(adminUrl: string, prefix = 'suite'): Promise<string> {
  const name = `${prefix}_${process.pid}_${++counter}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
