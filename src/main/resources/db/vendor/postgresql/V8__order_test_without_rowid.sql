-- The same version as db/vendor/sqlite/V8, which makes SQLite's order_test one B-tree instead of a rowid table plus
-- the index of its key. A PostgreSQL table is always a heap with its primary key's index beside it, and has no
-- clustered form kept up on insert; so nothing changes here. The version is taken on both databases so that the next
-- portable migration (db/migration) is V9 on both.
SELECT 1;
