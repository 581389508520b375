package dev.asynclocal.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails every test of the annotated class that leaves an asynclocal context behind: same as
 * {@code @ExtendWith(ContextLeakExtension.class)}. See {@link ContextLeakExtension}.
 * <pre>{@code
 * @DetectContextLeaks
 * class CheckoutServiceTest { ... }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ContextLeakExtension.class)
public @interface DetectContextLeaks {
}
