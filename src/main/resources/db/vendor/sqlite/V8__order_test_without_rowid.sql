-- order_test as a WITHOUT ROWID table (SQLite only; db/vendor/postgresql/V8 says why PostgreSQL has nothing to do).
-- Its key is natural, (order_key, cpt), and nothing refers to a row id: as a rowid table it was two B-trees, the rows
-- by rowid and sqlite_autoindex_order_test_1 on the key, so a message that files a test's state wrote a page of each
-- in its commit, and the order look-up (OrderContexts.ORDER_WITH_TEST) probed the index, then the table. WITHOUT ROWID
-- keeps the rows in the key's B-tree: one page less per commit that files a state, one probe per join.
-- https://www.sqlite.org/withoutrowid.html (BENCHMARKS.md "Writer, sixth pass").
CREATE TABLE order_test_v8 (
    order_key    VARCHAR(500) NOT NULL,
    cpt          VARCHAR(10)  NOT NULL,
    final_seen   BOOLEAN      NOT NULL,
    cancel_state VARCHAR(20)  NOT NULL,
    PRIMARY KEY (order_key, cpt)
) WITHOUT ROWID;

INSERT INTO order_test_v8 (order_key, cpt, final_seen, cancel_state)
SELECT order_key, cpt, final_seen, cancel_state FROM order_test;

DROP TABLE order_test;

ALTER TABLE order_test_v8 RENAME TO order_test;
