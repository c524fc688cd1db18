/**
 * The Camel glue: the engine's start-up (camel-main loading the analysts' YAML routes), and the named beans
 * those routes call. No business rules here.
 */
package org.iepcharge.camel;
