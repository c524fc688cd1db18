package org.iepcharge.hl7;

import ca.uhn.hl7v2.parser.DefaultEscaping;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.Escaping;

/**
 * HAPI's own escaping ({@link DefaultEscaping}), without its cost for the common value that holds nothing to escape.
 * On encoding, DefaultEscaping copies every value through a StringBuilder and first looks its escape table up in one
 * JVM-wide synchronized map (access-ordered, so every look-up writes): a lock taken for each field of every ACK and
 * DFT, by all threads (hapi-hl7v2 issue 101). A value without any of the characters DefaultEscaping replaces — the
 * delimiters, the escape and truncation characters, CR — comes back from it unchanged, so it is returned as is; any
 * other value, and every unescape (which DefaultEscaping already skips when there is no escape character), goes to
 * DefaultEscaping. Installed by {@link HapiContexts} through HAPI's {@code ParserConfiguration#setEscaping}.
 */
final class PlainTextEscaping implements Escaping {
    private final Escaping hapi = new DefaultEscaping();

    @Override
    public String escape(String text, EncodingCharacters chars) {
        char field = chars.getFieldSeparator();
        char component = chars.getComponentSeparator();
        char subcomponent = chars.getSubcomponentSeparator();
        char repetition = chars.getRepetitionSeparator();
        char escape = chars.getEscapeCharacter();
        char truncation = chars.getTruncationCharacter();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == field || c == component || c == subcomponent || c == repetition || c == escape
                    || c == truncation || c == '\r') {
                return hapi.escape(text, chars);
            }
        }
        return text;
    }

    @Override
    public String unescape(String text, EncodingCharacters chars) {
        return hapi.unescape(text, chars);
    }
}
