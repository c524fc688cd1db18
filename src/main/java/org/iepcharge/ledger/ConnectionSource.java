package org.iepcharge.ledger;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.Supplier;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The ledger's own connections as a {@link DataSource}, for Flyway: migrations then run on connections prepared like
 * every other (busy timeout, WAL, synchronous level), so a migration beside a running engine waits for its lock.
 */
final class ConnectionSource implements DataSource {
    private final Supplier<Connection> connections;

    ConnectionSource(Supplier<Connection> connections) {
        this.connections = connections;
    }

    @Override
    public Connection getConnection() {
        return connections.get();
    }

    @Override
    public Connection getConnection(String username, String password) {
        return connections.get();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // No driver log.
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // The driver's own default.
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
        throw new java.sql.SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
