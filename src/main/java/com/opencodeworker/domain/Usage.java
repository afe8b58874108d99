package com.opencodeworker.domain;

/** Tokens and cost of one reply, as far as the model reported them. */
public record Usage(long inputTokens, long outputTokens, double cost) {
}
