package com.opencodeworker.testing.convex;

/** Where a fake Convex deployment's functions are registered, by their {@code module:function} path. */
public interface FakeFunctionRegistry {
    void registerQuery(String path, FakeFunction f);

    void registerMutation(String path, FakeFunction f);
}
