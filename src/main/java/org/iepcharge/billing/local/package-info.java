/**
 * The built-in billing stand-in: an MLLP receiver that files each DFT and answers it. The engine runs it in
 * {@code iep.billing.mode=local}, the {@code receive} command wraps it, and the tests use it as billing. It sits with
 * billing so that the engine ({@code camel}) never depends on the command line ({@code cli}).
 */
package org.iepcharge.billing.local;
