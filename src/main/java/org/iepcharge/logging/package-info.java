/**
 * The engine's logging configuration ({@link org.iepcharge.logging.EngineLogging}): logback set up in code rather
 * than from XML, for start-up time; {@code logback-engine.xml} in the jar holds the same configuration as a file to
 * start from with {@code -Dlogback.configurationFile}.
 */
package org.iepcharge.logging;
