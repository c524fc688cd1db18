/**
 * The engine's settings: {@code iep.*} system properties, environment variables, the properties file, then defaults,
 * read and checked once at start-up into immutable records ({@link org.iepcharge.config.EngineSettings}). Every door
 * (the engine, the command line, the console) reads the same records; nothing here starts anything.
 */
package org.iepcharge.config;
