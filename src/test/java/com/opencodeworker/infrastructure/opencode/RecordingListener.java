package com.opencodeworker.infrastructure.opencode;

import com.opencodeworker.domain.port.ReplyEvent;
import com.opencodeworker.domain.port.ReplyListener;
import java.util.ArrayList;
import java.util.List;

/** Records a reply's events. All state is guarded by this. */
final class RecordingListener implements ReplyListener {
    private final List<ReplyEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(ReplyEvent event) {
        events.add(event);
    }

    synchronized List<ReplyEvent> events() {
        return List.copyOf(events);
    }

    synchronized List<String> textDeltas() {
        return events.stream().filter(ReplyEvent.TextDelta.class::isInstance)
                .map(event -> ((ReplyEvent.TextDelta) event).text()).toList();
    }

    synchronized List<String> progressLines() {
        return events.stream().filter(ReplyEvent.ToolProgress.class::isInstance)
                .map(event -> ((ReplyEvent.ToolProgress) event).line()).toList();
    }
}
