package io.activemqha.webhook;

public final class WebhookMain {
    public static void main(String[] args) {
        System.out.println("placeholder");
    }
}
