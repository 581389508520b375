/**
 * asynclocal stores across Kafka: {@link dev.asynclocal.kafka.KafkaPropagation} writes them into
 * record headers on the producing side and runs each record's processing in the context its
 * headers carry on the consuming side; {@code dev.asynclocal.kafka.spring} does the consuming side
 * for Spring Kafka listeners. See {@code docs/kafka.md}.
 */
package dev.asynclocal.kafka;
