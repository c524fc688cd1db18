package org.iepcharge.camel.context;

import java.io.IOException;
import java.util.Collection;
import java.util.regex.Pattern;

import org.apache.camel.TypeConverter;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.converter.DefaultTypeConverter;
import org.apache.camel.support.PluginHelper;

/**
 * The Camel context of the engine (camel-main's) and of the built-in billing receiver: Camel's default context without
 * camel-hl7's per-version type converters (docs/operating.md "Start-up").
 *
 * <p>camel-hl7 4.17.0 lists a type converter loader per HL7 version ({@code HL721ConverterLoader} …
 * {@code HL726ConverterLoader}): conversions from text or bytes to each typed message class of that version, such as
 * {@code ca.uhn.hl7v2.model.v251.message.ORM_O01}. Every context loads all eight (0.1 MB of bytecode each) and, for
 * v2.5.1, registers about 400 converters, each a lambda class spun at start-up: measured, about a quarter of the CPU
 * the built-in billing receiver's context took to start (BENCHMARKS.md, "Start-up to listening, second pass"). The
 * registry holds 605 converters with them, 203 without. Nothing is lost for a route file: camel-hl7's version-independent converters stay
 * ({@code HL7ConverterLoader}: text or bytes to and from {@code ca.uhn.hl7v2.model.Message};
 * {@code HL7GenericMessageConverterLoader}), and Camel uses them for a typed target too — HAPI's parser makes the class
 * MSH-9 and MSH-12 name, so {@code convertBodyTo: ca.uhn.hl7v2.model.v251.message.ORM_O01} still gets an ORM_O01
 * ({@code EngineCamelContextTest}). The engine itself parses with its own HAPI context
 * ({@code org.iepcharge.hl7.HapiContexts}); its routes carry bytes.
 */
public class EngineCamelContext extends DefaultCamelContext {
    /** camel-hl7's per-version loaders: HL7 plus the version's digits (21, 22, 23, 231, 24, 25, 251, 26). */
    static final Pattern PER_VERSION_HL7_LOADER =
            Pattern.compile("org\\.apache\\.camel\\.component\\.hl7\\.HL7\\d+ConverterLoader");

    /** As {@link DefaultCamelContext#DefaultCamelContext(boolean)}: {@code init} false leaves building to the owner. */
    public EngineCamelContext(boolean init) {
        super(init);
    }

    /** A context built and ready to configure, as {@code new DefaultCamelContext()}. */
    public EngineCamelContext() {
        this(true);
    }

    @Override
    protected TypeConverter createTypeConverter() {
        return new DefaultTypeConverter(getCamelContextReference(),
                PluginHelper.getPackageScanClassResolver(getCamelContextReference()), getInjector(),
                Boolean.TRUE.equals(isLoadTypeConverters()), Boolean.TRUE.equals(isTypeConverterStatisticsEnabled())) {
            @Override
            protected Collection<String> findTypeConverterLoaderClasses() throws IOException {
                Collection<String> loaders = super.findTypeConverterLoaderClasses();
                loaders.removeIf(name -> PER_VERSION_HL7_LOADER.matcher(name).matches());
                return loaders;
            }
        };
    }
}
