package org.iepcharge.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.iepcharge.config.EngineSettings.HttpSettings;
import org.iepcharge.config.PasswordHash;

/**
 * Who is asking: a console session (cookie set by {@code POST /login}) or HTTP Basic credentials (curl, Prometheus).
 * The password is only ever compared with its PBKDF2 hash; a Basic header that matched is remembered by its SHA-256
 * for a few minutes, so a scraper does not pay the key derivation on every request.
 */
public final class OpsAuth {
    static final String COOKIE = "iep_session";
    private static final Duration SESSION_IDLE = Duration.ofHours(8);
    private static final Duration BASIC_MEMORY = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Session(String user, Instant expires) {
    }

    private final HttpSettings settings;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Instant> knownBasic = new ConcurrentHashMap<>();

    private final SignInThrottle throttle;

    public OpsAuth(HttpSettings settings) {
        this(settings, Clock.systemUTC());
    }

    OpsAuth(HttpSettings settings, Clock clock) {
        this.settings = settings;
        this.throttle = new SignInThrottle(clock);
    }

    /** What a sign-in attempt came to. */
    public enum Verdict { SIGNED_IN, REFUSED, WAIT }

    /**
     * Checks a user and password typed at {@code client} (its address); with no password configured nobody gets in.
     * {@link Verdict#WAIT} when the client has failed too often to be checked now ({@link #waitFor}).
     */
    public Verdict verify(String client, String user, String password) {
        if (throttle.waitFor(client).isPresent()) {
            return Verdict.WAIT;
        }
        if (matches(user, password)) {
            throttle.succeeded(client);
            return Verdict.SIGNED_IN;
        }
        throttle.failed(client);
        return Verdict.REFUSED;
    }

    /** How long {@code client} must wait before its next attempt is checked; empty when it may try now. */
    public Optional<Duration> waitFor(String client) {
        return throttle.waitFor(client);
    }

    private boolean matches(String user, String password) {
        if (settings.locked() || user == null || password == null) {
            return false;
        }
        boolean passwordOk = PasswordHash.matches(password.toCharArray(), settings.passwordHash());
        return passwordOk && MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8),
                settings.user().getBytes(StandardCharsets.UTF_8));
    }

    /** A new session for a verified user; its token goes into the cookie. */
    public String openSession(String user) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Instant now = Instant.now();
        sessions.values().removeIf(s -> s.expires().isBefore(now));
        knownBasic.values().removeIf(until -> until.isBefore(now));
        sessions.put(token, new Session(user, Instant.now().plus(SESSION_IDLE)));
        return token;
    }

    public void closeSession(String cookieHeader) {
        sessionToken(cookieHeader).ifPresent(sessions::remove);
    }

    /** The authenticated user, from the session cookie or the Authorization header sent from {@code client}. */
    public Optional<String> user(String client, String cookieHeader, String authorization) {
        Optional<String> token = sessionToken(cookieHeader);
        if (token.isPresent()) {
            Session s = sessions.get(token.get());
            if (s != null && s.expires().isAfter(Instant.now())) {
                sessions.put(token.get(), new Session(s.user(), Instant.now().plus(SESSION_IDLE)));
                return Optional.of(s.user());
            }
            sessions.remove(token.get());
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String digest = sha256(authorization);
            Instant until = knownBasic.get(digest);
            if (until != null && until.isAfter(Instant.now())) {
                return Optional.of(settings.user());
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon > 0 && verify(client, decoded.substring(0, colon), decoded.substring(colon + 1))
                    == Verdict.SIGNED_IN) {
                knownBasic.put(digest, Instant.now().plus(BASIC_MEMORY));
                return Optional.of(settings.user());
            }
        }
        return Optional.empty();
    }

    static Optional<String> sessionToken(String cookieHeader) {
        if (cookieHeader == null) {
            return Optional.empty();
        }
        for (String part : cookieHeader.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1);
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
