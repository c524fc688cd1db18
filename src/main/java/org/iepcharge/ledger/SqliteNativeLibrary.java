package org.iepcharge.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * sqlite-jdbc's native library, unpacked once per user and reused by every later start instead of on every start.
 *
 * <p>sqlite-jdbc 3.54.1.0's loader ({@code org.sqlite.SQLiteJDBCLoader}) copies the library out of its jar into
 * {@code java.io.tmpdir} under a new random name on every start, then compares the copy with the jar's entry one byte at
 * a time through two {@code BufferedInputStream.read()} calls per byte (1.1 MB for Linux x86_64: about 150 profiler
 * samples and a C2 compilation before the LIS listens, BENCHMARKS.md "Start-up to listening, fourth pass"). Its
 * documented system properties {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} make it load a library from
 * a folder instead (it tries them first). This class keeps one copy in a folder of this user's
 * ({@code <tmpdir>/iep-charge-router-<user>/sqlite-jdbc-<version>-<crc32>}, tmpdir as sqlite-jdbc's own) and sets those properties to it —
 * only once the copy is known to be the jar's own library:
 * <ul>
 *   <li>the folders are made by this user with {@code rwx------}, and are used only when they still are: owned by this
 *       user, no symbolic link, no group or other permission (nobody else can put or swap a file there);</li>
 *   <li>the file must have the size and the CRC-32 the jar's central directory records for the entry, read in whole on
 *       every start (a truncated or damaged copy is unpacked again);</li>
 *   <li>a fresh copy is written under a temporary name, checked the same way, and moved into place, so two processes
 *       starting at once never load half a file.</li>
 * </ul>
 * Whatever fails (no POSIX file system, a folder that is not ours, a library not inside a jar, properties the user set
 * already), nothing is set and sqlite-jdbc unpacks its library as it always did.
 */
public final class SqliteNativeLibrary {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private SqliteNativeLibrary() {
    }

    /**
     * Points sqlite-jdbc at the verified copy in {@code ${java.io.tmpdir}} and loads it (what the first connection does
     * otherwise); a head start only, never an error.
     */
    public static void load() {
        try {
            // The folder sqlite-jdbc itself unpacks into: org.sqlite.tmpdir, else java.io.tmpdir.
            useCachedCopy(Path.of(System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir"))));
        } catch (IOException | RuntimeException e) {
            // sqlite-jdbc unpacks the library itself, as without this class.
        }
        try {
            SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            // The ledger's own first connection does the same and reports what fails.
        }
    }

    /**
     * Sets {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} to a verified copy under {@code tmp}, unpacking
     * it when there is none; the copy's path, or empty when sqlite-jdbc is left to unpack its library itself.
     */
    static Optional<Path> useCachedCopy(Path tmp) throws IOException {
        if (System.getProperty("org.sqlite.lib.path") != null || System.getProperty("org.sqlite.lib.name") != null) {
            return Optional.empty(); // the user's own choice
        }
        String name = LibraryLoaderUtil.getNativeLibName();
        URL resource = SQLiteJDBCLoader.class.getResource(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name);
        if (resource == null || !"jar".equals(resource.getProtocol())) {
            return Optional.empty();
        }
        URLConnection connection = resource.openConnection();
        if (!(connection instanceof JarURLConnection jarUrl) || !"file".equals(jarUrl.getJarFileURL().getProtocol())) {
            return Optional.empty();
        }
        Path jarPath;
        try {
            jarPath = Path.of(jarUrl.getJarFileURL().toURI());
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            JarEntry entry = jar.getJarEntry(jarUrl.getEntryName());
            return entry == null ? Optional.empty() : useCachedCopy(tmp, jar, entry, name);
        }
    }

    private static Optional<Path> useCachedCopy(Path tmp, JarFile jar, JarEntry entry, String name)
            throws IOException {
        // Size and CRC-32 from the jar's central directory: known without inflating the entry.
        long size = entry.getSize();
        long crc = entry.getCrc();
        if (size < 0 || crc < 0) {
            return Optional.empty();
        }
        Optional<UserPrincipal> me = currentUser(tmp);
        if (me.isEmpty()) {
            return Optional.empty();
        }
        Path userDir = tmp.resolve("iep-charge-router-" + safe(System.getProperty("user.name")));
        Path dir = userDir.resolve("sqlite-jdbc-" + safe(SQLiteJDBCLoader.getVersion()) + "-"
                + String.format("%08x", crc));
        if (!privateDir(userDir, me.get()) || !privateDir(dir, me.get())) {
            return Optional.empty();
        }
        Path library = dir.resolve(name);
        if (!(Files.exists(library, LinkOption.NOFOLLOW_LINKS) && ours(library, me.get())
                && matches(library, size, crc))) {
            Path temp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PRIVATE));
                try (InputStream in = jar.getInputStream(entry); OutputStream out = Files.newOutputStream(temp)) {
                    in.transferTo(out);
                }
                if (!matches(temp, size, crc)) {
                    return Optional.empty();
                }
                try {
                    Files.move(temp, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    return Optional.empty();
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            // What was moved into place is what was checked: the folder is this user's alone.
        }
        System.setProperty("org.sqlite.lib.path", dir.toString());
        System.setProperty("org.sqlite.lib.name", name);
        return Optional.of(library);
    }

    /** This process's user, when the file system has POSIX owners and permissions. */
    private static Optional<UserPrincipal> currentUser(Path tmp) throws IOException {
        if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) == null) {
            return Optional.empty();
        }
        return Optional.of(tmp.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name")));
    }

    /** Whether {@code dir} is a private folder of {@code me}'s (made {@code rwx------} if missing). */
    private static boolean privateDir(Path dir, UserPrincipal me) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (FileAlreadyExistsException e) {
            // checked below, as a folder made now is
        }
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        return attributes.isDirectory() && attributes.owner().equals(me)
                && PRIVATE.containsAll(attributes.permissions());
    }

    /** A regular file (no link) of {@code me}'s that nobody else may write. */
    private static boolean ours(Path file, UserPrincipal me) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        return attributes.isRegularFile() && attributes.owner().equals(me)
                && !attributes.permissions().contains(PosixFilePermission.GROUP_WRITE)
                && !attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE);
    }

    /** Whether {@code file} has the jar entry's size and CRC-32 (read in whole; CRC32 runs as an intrinsic). */
    static boolean matches(Path file, long size, long crc) throws IOException {
        if (Files.size(file) != size) {
            return false;
        }
        CRC32 sum = new CRC32();
        sum.update(Files.readAllBytes(file));
        return sum.getValue() == crc;
    }

    private static String safe(String text) {
        return text == null || text.isEmpty() ? "unknown" : text.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
