package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * The copy of sqlite-jdbc's native library that later starts reuse (docs/operating.md "Start-up"): it is the jar's own
 * library byte for byte, unpacked once, unpacked again when damaged, and never taken from a folder another user could
 * write. Loading it is left to the packaged jar's runs (this JVM has its library loaded already).
 */
class SqliteNativeLibraryTest {
    private static final String PATH = "org.sqlite.lib.path";
    private static final String NAME = "org.sqlite.lib.name";

    @TempDir
    Path tmp;

    private String savedPath;
    private String savedName;

    @BeforeEach
    void clearProperties() {
        savedPath = System.getProperty(PATH);
        savedName = System.getProperty(NAME);
        System.clearProperty(PATH);
        System.clearProperty(NAME);
    }

    @AfterEach
    void restoreProperties() {
        restore(PATH, savedPath);
        restore(NAME, savedName);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static byte[] jarsLibrary() throws Exception {
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(LibraryLoaderUtil.getNativeLibResourcePath()
                + "/" + LibraryLoaderUtil.getNativeLibName())) {
            return in.readAllBytes();
        }
    }

    @Test
    void unpacksTheJarsLibraryOnceIntoPrivateFoldersAndPointsSqliteJdbcAtIt() throws Exception {
        Path library = SqliteNativeLibrary.useCachedCopy(tmp).orElseThrow();

        assertThat(Files.readAllBytes(library)).isEqualTo(jarsLibrary());
        assertThat(System.getProperty(PATH)).isEqualTo(library.getParent().toString());
        assertThat(System.getProperty(NAME)).isEqualTo(LibraryLoaderUtil.getNativeLibName());
        assertThat(library.getParent().getParent().getParent()).isEqualTo(tmp);
        for (Path dir : new Path[] {library.getParent(), library.getParent().getParent()}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        }
        // A second start reuses the file as it is (same inode, same time), with no temporary file left behind.
        Object key = Files.readAttributes(library, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        var modified = Files.getLastModifiedTime(library);
        System.clearProperty(PATH);
        System.clearProperty(NAME);
        assertThat(SqliteNativeLibrary.useCachedCopy(tmp)).contains(library);
        assertThat(Files.readAttributes(library, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .isEqualTo(key);
        assertThat(Files.getLastModifiedTime(library)).isEqualTo(modified);
        try (var files = Files.list(library.getParent())) {
            assertThat(files).containsExactly(library);
        }
    }

    @Test
    void aDamagedCopyIsUnpackedAgain() throws Exception {
        Path library = SqliteNativeLibrary.useCachedCopy(tmp).orElseThrow();
        byte[] damaged = Files.readAllBytes(library);
        damaged[damaged.length / 2] ^= 0x01; // same size, one bit off: only the CRC-32 tells
        Files.write(library, damaged);
        System.clearProperty(PATH);
        System.clearProperty(NAME);

        assertThat(SqliteNativeLibrary.useCachedCopy(tmp)).contains(library);
        assertThat(Files.readAllBytes(library)).isEqualTo(jarsLibrary());

        Files.write(library, new byte[] {1, 2, 3}); // truncated
        System.clearProperty(PATH);
        System.clearProperty(NAME);
        assertThat(SqliteNativeLibrary.useCachedCopy(tmp)).contains(library);
        assertThat(Files.readAllBytes(library)).isEqualTo(jarsLibrary());
    }

    @Test
    void aFolderOthersCanWriteIsNotUsed() throws Exception {
        Path library = SqliteNativeLibrary.useCachedCopy(tmp).orElseThrow();
        System.clearProperty(PATH);
        System.clearProperty(NAME);
        Files.setPosixFilePermissions(library.getParent().getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThat(SqliteNativeLibrary.useCachedCopy(tmp)).isEmpty();
        assertThat(System.getProperty(PATH)).as("sqlite-jdbc left to unpack its own copy").isNull();
        assertThat(System.getProperty(NAME)).isNull();
    }

    @Test
    void aLibraryPathTheUserSetIsLeftAlone() throws Exception {
        System.setProperty(PATH, "/opt/sqlite");

        assertThat(SqliteNativeLibrary.useCachedCopy(tmp)).isEqualTo(Optional.empty());
        assertThat(System.getProperty(PATH)).isEqualTo("/opt/sqlite");
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }
}
