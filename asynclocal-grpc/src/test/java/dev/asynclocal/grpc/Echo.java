package dev.asynclocal.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The test service's methods, one per call type, described by hand with a UTF-8 string marshaller:
 * what generated stubs would describe, without a protoc step. The transports are real either way.
 */
final class Echo {
    static final String SERVICE = "test.Echo";

    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<String, String> UNARY = method(MethodType.UNARY, "Unary");
    static final MethodDescriptor<String, String> SERVER_STREAMING = method(MethodType.SERVER_STREAMING, "Split");
    static final MethodDescriptor<String, String> CLIENT_STREAMING = method(MethodType.CLIENT_STREAMING, "Join");
    static final MethodDescriptor<String, String> BIDI_STREAMING = method(MethodType.BIDI_STREAMING, "Chat");

    private Echo() {
    }

    private static MethodDescriptor<String, String> method(MethodType type, String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(UTF8)
                .setResponseMarshaller(UTF8)
                .build();
    }
}
