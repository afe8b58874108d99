package com.opencodeworker.testing.convex;

import java.util.Map;

/**
 * A function of the fake Convex deployment. Arguments and results are plain Java values as in
 * {@code ConvexFunctions} (Double for bare numbers, Long for int64). Throw {@link FakeConvexError}
 * for a ConvexError; any other exception becomes a plain function error.
 */
@FunctionalInterface
public interface FakeFunction {
    Object handle(Map<String, Object> args);
}
