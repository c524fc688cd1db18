/**
 * The Camel context the engine and the built-in billing receiver run on ({@link
 * org.iepcharge.camel.context.EngineCamelContext}). A package of its own so that billing's stand-in can use it without
 * depending on the engine's package, which depends on billing.
 */
package org.iepcharge.camel.context;
