package com.opencodeworker.application;

/** What became of a work item this instance took on. */
public enum Outcome {
    /** Answered, failed, or handed on for good: never take it again in this run. */
    DONE,
    /** Not ours (claimed elsewhere, or could not be claimed now): take it again if it becomes eligible. */
    RELEASED
}
