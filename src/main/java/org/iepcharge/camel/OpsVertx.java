package org.iepcharge.camel;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Vert.x instance of the operator side's HTTP server (camel-platform-http-vertx), made by the engine once the LIS
 * listener is open, just before the HTTP server starts (docs/operating.md "Start-up"). Camel uses a Vert.x instance
 * found in the registry and then leaves closing it to its owner: {@link #close()}.
 */
record OpsVertx(Vertx vertx) implements AutoCloseable {
    /** How long close waits for Vert.x to stop its threads. */
    private static final long CLOSE_SECONDS = 10;

    /** With the options camel-platform-http-vertx would use itself (VertxOptions' defaults). */
    static OpsVertx create() {
        return new OpsVertx(Vertx.vertx(new VertxOptions()));
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Stopping anyway: the JVM is going or the engine is closed; nothing is lost with Vert.x's threads.
        }
    }
}
