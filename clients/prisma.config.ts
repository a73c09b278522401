// The Prisma CLI's configuration for clients/ (prisma generate runs offline; see
// codegen/prisma-env). The extension owns schema mycelium: its tables and enums
// are external, so that Prisma Migrate would leave them alone, and a shadow
// database gets them from the extension itself (docs/clients.md, "Migration tools").
import { defineConfig } from 'prisma/config';
import { enums, tables } from './generated/prisma-external.js';

export default defineConfig({
  schema: 'generated/schema.prisma',
  experimental: { externalTables: true },
  tables: { external: tables },
  enums: { external: enums },
  migrations: { initShadowDb: 'CREATE EXTENSION IF NOT EXISTS mycelium CASCADE;' },
});
