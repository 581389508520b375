package dev.asynclocal.e2e;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run of the demo produced, and whether it is right: each request's response, every line
 * the four services printed, and the problems found in them (none, for a good run).
 *
 * @param requests the requests sent to A, each with its own id and order
 * @param responses A's answers, in the order of {@code requests}
 * @param lines every line of every service, in the order each service printed them
 */
public record Outcome(List<Request> requests, List<Response> responses, List<LogLine> lines) {
    /** The services whose every line about a request must carry that request's id. */
    public static final List<String> SERVICES = List.of("A", "B", "C", "D");

    private static final Pattern ORDER = Pattern.compile("\\border-\\d+\\b");

    /**
     * One request to A.
     *
     * @param id the request id, sent as {@code X-Request-Id}
     * @param order what the request asks for; it travels as data, in the gRPC message, the record
     *     values and D's URL, never as the id, so that a line's id and the order it mentions can be
     *     checked against each other
     */
    public record Request(String id, String order) {
    }

    /**
     * A's answer to one request.
     *
     * @param status the HTTP status, or -1 if there was no response
     * @param body the body, or what went wrong
     */
    public record Response(Request request, int status, String body) {
    }

    public Outcome {
        requests = List.copyOf(requests);
        responses = List.copyOf(responses);
        lines = List.copyOf(lines);
    }

    /** The lines of {@code service} that carry the id of {@code request}. */
    public List<LogLine> linesOf(Request request, String service) {
        return lines.stream()
                .filter(line -> line.service().equals(service) && !line.isReady() && line.id().equals(request.id()))
                .toList();
    }

    /**
     * Everything wrong with this run, in words; empty when
     * <ul>
     *   <li>every request got status 200 and D's reply naming its order and its own id;</li>
     *   <li>A, B, C and D each printed at least one line with the request's id, and A a
     *       {@code reply from D} line, which shows the reply came back into the request's context;</li>
     *   <li>every line of a service is consistent: a line that starts with a request's id mentions
     *       no other request's order or id, and a line that starts with no request id ({@code -})
     *       mentions no request at all: a line about a request that lost its id would show here.</li>
     * </ul>
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Response response : responses) {
            Request request = response.request();
            String expected = "D handled " + request.order() + " for request " + request.id();
            if (response.status() != 200 || !response.body().contains(expected)) {
                problems.add(request + ": A answered " + response.status() + " \"" + response.body().strip()
                        + "\", not \"" + expected + "\"");
            }
        }
        for (Request request : requests) {
            for (String service : SERVICES) {
                if (linesOf(request, service).isEmpty()) {
                    problems.add(request + ": no line of " + service + " carries its id");
                }
            }
            if (linesOf(request, "A").stream().noneMatch(line -> line.text().contains("reply from D"))) {
                problems.add(request + ": A logged no \"reply from D\" in the request's context");
            }
        }
        for (LogLine line : lines) {
            if (SERVICES.contains(line.service()) && !line.isReady()) {
                String problem = inconsistency(line);
                if (problem != null) {
                    problems.add(problem + ": " + line);
                }
            }
        }
        return problems;
    }

    public boolean ok() {
        return problems().isEmpty();
    }

    private String inconsistency(LogLine line) {
        Request owner = requests.stream().filter(r -> r.id().equals(line.id())).findFirst().orElse(null);
        Set<Request> mentioned = new LinkedHashSet<>();
        Matcher orders = ORDER.matcher(line.text());
        while (orders.find()) {
            String order = orders.group();
            requests.stream().filter(r -> r.order().equals(order)).forEach(mentioned::add);
        }
        requests.stream().filter(r -> line.text().indexOf(r.id(), line.id().length()) >= 0).forEach(mentioned::add);
        if (owner == null) {
            return mentioned.isEmpty() ? null : "a line about " + mentioned + " without its request id";
        }
        mentioned.remove(owner);
        return mentioned.isEmpty() ? null : "a line of " + owner.id() + " about " + mentioned;
    }
}
