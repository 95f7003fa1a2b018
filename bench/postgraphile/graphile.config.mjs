// PostGraphile v5 with the amber preset over the same database, for the benchmark only. The
// connection-filter plugin adds the range and relation filters the filtered-rounds operation
// needs (amber alone filters by equality only).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

export default {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: 10 },
    }),
  ],
  schema: { connectionFilterRelations: true },
  grafserv: { host: "127.0.0.1", port: Number(process.env.PORT ?? 5678), graphiql: false },
  grafast: { explain: false },
};
