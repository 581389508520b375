package dev.asynclocal.examples.spring;

/**
 * What {@code GET /orders/{id}} answers: the order, the context the handler saw, and what the
 * {@code @Async} method, the task on Boot's executor and the downstream call produced.
 *
 * @param order the order id
 * @param requestId the request's id, as the handler saw it
 * @param tenant the tenant store, as the handler saw it
 * @param user the user store, as the handler saw it
 * @param total from the {@code @Async} method
 * @param shipping from the task on Boot's executor, with the request id that task saw
 * @param stock the downstream service's answer, with the request id and tenant it received
 */
public record OrderView(String order, String requestId, String tenant, String user, String total, String shipping,
        String stock) {
}
